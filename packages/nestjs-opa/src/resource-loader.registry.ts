import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ResourceLoader } from './resource-loader.interface.js';

/** Finds the `@ResourceLoader()` providers of the application, once, and serves them by type. */
@Injectable()
export class ResourceLoaderRegistry {
  private loaders?: Map<string, ResourceLoader>;

  constructor(private readonly discovery: DiscoveryService) {}

  get(resourceType: string): ResourceLoader | undefined {
    this.loaders ??= this.discover();
    return this.loaders.get(resourceType);
  }

  private discover(): Map<string, ResourceLoader> {
    const loaders = new Map<string, ResourceLoader>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: ResourceLoader.KEY })) {
      const type = this.discovery.getMetadataByDecorator(ResourceLoader, wrapper);
      const instance = wrapper.instance as ResourceLoader | undefined;
      if (!type || typeof instance?.load !== 'function') continue;
      if (loaders.has(type))
        throw new Error(`Two @ResourceLoader('${type}') providers are registered`);
      loaders.set(type, instance);
    }
    return loaders;
  }
}

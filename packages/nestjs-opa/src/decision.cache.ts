import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Decision, SubjectRef } from './authz.types.js';
import { subjectPrefix } from './decision.key.js';
import { OPA_RESOLVED_OPTIONS } from './opa.constants.js';
import type { ResolvedOpaOptions } from './opa.options.js';

/**
 * A bounded LRU of decisions with a TTL, keyed by the whole input (see {@link decisionKey}). Off unless
 * `cache` is set in the module options. Inject it to drop entries when bindings change.
 *
 * @example
 * ```ts
 * await bindings.save(binding);
 * this.decisionCache.invalidateSubject(binding.subject);
 * ```
 */
@Injectable()
export class DecisionCache {
  private readonly entries?: LRUCache<string, Decision>;
  private readonly ttl: number;
  private readonly denyTtl: number;
  private invalidations = 0;

  constructor(@Inject(OPA_RESOLVED_OPTIONS) { cache }: ResolvedOpaOptions) {
    this.ttl = cache ? cache.ttl : 0;
    this.denyTtl = cache ? cache.denyTtl : 0;
    if (cache)
      this.entries = new LRUCache({
        max: cache.max,
        ttl: this.ttl,
        ttlAutopurge: false,
        // Read the clock on each lookup: the default (1 ms) arms a timer per millisecond to
        // forget a cached clock, which costs more than the clock read on a busy hit path.
        ttlResolution: 0,
      });
  }

  /** Whether caching is on. */
  get enabled(): boolean {
    return this.entries !== undefined;
  }

  /**
   * Changes on every invalidation: a decision asked before it may be stale, so it must be
   * neither stored nor shared afterwards.
   */
  get generation(): number {
    return this.invalidations;
  }

  get(key: string): Decision | undefined {
    return this.entries?.get(key);
  }

  set(key: string, decision: Decision): void {
    this.entries?.set(key, decision, { ttl: decision.permit ? this.ttl : this.denyTtl });
  }

  /** Drops every decision about one subject, e.g. after its bindings changed. */
  invalidateSubject(subject: SubjectRef): void {
    this.invalidations++;
    if (!this.entries) return;
    const prefix = subjectPrefix(subject);
    for (const key of [...this.entries.keys()])
      if (key.startsWith(prefix)) this.entries.delete(key);
  }

  /** Drops every decision, e.g. after the role catalogue or the policy changed. */
  invalidateAll(): void {
    this.invalidations++;
    this.entries?.clear();
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}

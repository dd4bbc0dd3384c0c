export { HttpServiceTransport } from './http-service.transport.js';

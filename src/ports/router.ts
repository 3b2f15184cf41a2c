/** The router port: answers a RouteRequest with an Offer or a RoutingFailed command. */
import type { Offer, RoutingFailed } from '../domain/interaction/commands.js';
import type { RouteRequest } from '../domain/interaction/effects.js';

export interface Router {
  route(request: RouteRequest): Promise<Offer | RoutingFailed>;
}

/**
 * The router port: answers a RouteRequest with an Offer, a RoutingFailed, or (a routing point with a wait that found
 * no one) a Wait command.
 */
import type { Offer, RoutingFailed, Wait } from '../domain/interaction/commands.js';
import type { RouteRequest } from '../domain/interaction/effects.js';

/** The router's answer to a request. */
export type RouteAnswer = Offer | RoutingFailed | Wait;

/** Answers routing requests. */
export interface Router {
  route(request: RouteRequest): Promise<RouteAnswer>;
}

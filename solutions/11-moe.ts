/**
 * Chapter 11 solutions. The library's mixture-of-experts layer is built from these functions (one
 * implementation per algorithm): src/model/moe.ts.
 */
export { routeTopK, balanceLoss, zLoss, assignCapacity, combineExperts } from "../src/model/moe";

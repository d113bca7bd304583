/** The browser's `backend` namespace: the page's picker and the backend-aware ops the model uses. */
export * from "./backend";
export { batchedMatMul, columnSum, dense, fusedAttention, withGrad } from "../backend/ops";
export { gatherRows, scatterAddRows } from "../backend/rows";

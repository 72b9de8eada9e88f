// Yui's reference wallet client.
export * from "./bytes.js";
export * from "./borsh.js";
export * from "./keys.js";
export * from "./ops.js";
export * from "./tx.js";
export * from "./auth.js";
export * from "./chain.js";
export * from "./state.js";
export * from "./client.js";
export * from "./light.js";

export { Network, DEFAULT_NETWORK, type NetworkConfig, type LinkState, type SendOptions } from './network';
export { lossRule, duplicateRule, reorderRule, type LinkRule, type Verdict } from './rules';
export * from './faults';
export { nemesis, type NemesisOptions } from './nemesis';

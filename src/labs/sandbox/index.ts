/**
 * The learner-code runtime: TypeScript handlers transpiled with sucrase and run in a QuickJS
 * sandbox per learner node, with deterministic step, memory and stack budgets. Node-free: the same
 * code runs in the simulation worker and in Node.
 */
export { loadQuickJS, configureQuickJSWasm, newQuickJSModule, quickJS, discardQuickJS, QuickJSTrap, DEFAULT_MODULE_BYTES_MAX, type QuickJSWasmSource } from './quickjs';
export { prepareLearnerProgram, type LearnerProgram, type PrepareResult } from './program';
export { transpileLearnerCode, toLearnerPosition, SOURCE_CHARS_MAX, type TranspiledModule, type TranspileResult, type SourceProblem } from './transpile';
export {
  Sandbox,
  type SandboxHost,
  type SandboxOptions,
  type SandboxStatus,
  type CallResult,
  type CallContext,
  type InvokeOptions,
  type ConsoleLine,
  type ConsoleLevel,
} from './sandbox';
export { learnerNode, type LearnerNodeOptions, type LearnerBehavior, type BudgetPolicy, type LabOp, type LocalDelivery } from './learner-node';
export { DEFAULT_BUDGETS, POLLS_PER_TICK, resolveBudgets, formatCount, formatBytes, type Budgets } from './budgets';
export { MODULE_TOP_LEVEL, type LearnerProblem, type ProblemKind, type BudgetName } from './errors';
export { LearnerKinds, type LearnerKind } from './kinds';
export {
  serviceApi,
  extendApi,
  apiFunctions,
  KEY_CHARS_MAX,
  DURATION_MS_MAX,
  type ApiDefinition,
  type ApiFunction,
  type ApiNamespace,
  type ApiParam,
  type ApiConstant,
  type HandlerSpec,
  type Bridge,
  type ParamCheck,
  type HostOpPaths,
  type ServiceOpPath,
  type Json,
  type LearnerMessage,
  type LearnerRequest,
  type CallOptions,
} from './api';
export { generateDts, learnerDts } from './dts';
export { ApiError, bridgePlan, checkArgs, type BridgePlan } from './bridge';
export { isWire, type Wire, type CommitBody } from './wire';
export { buildDemoWorld, demoOrder, DEMO_HANDLER, DemoKinds, type DemoOptions, type DemoWorld } from './demo';
export { runHostileSuite, HOSTILE_CASES, type HostileResult } from './hostile-suite';

// Sucrase's parser is not part of its typed public API; these are the two entry points the loop
// probes use (sucrase 3.35, CommonJS build, which Node and Vite both load).
declare module 'sucrase/dist/parser/index.js' {
  export interface SucraseToken {
    type: number;
    start: number;
    end: number;
  }
  export function parse(input: string, isJSXEnabled: boolean, isTypeScriptEnabled: boolean, isFlowEnabled: boolean): { tokens: SucraseToken[] };
}

declare module 'sucrase/dist/parser/tokenizer/types.js' {
  export const TokenType: Record<string, number>;
}

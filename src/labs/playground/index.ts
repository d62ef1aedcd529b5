/**
 * The playground's broker families as labs without a grade: a topology from the page's form
 * (`config.ts`, pure and shared with the page) becomes a LabSpec at run time, and runs through the
 * same runner, sandbox and history as every lab. Its checks are information about the run.
 */
import type { LoadedLab } from '../lab/spec';
import { extendApi, serviceApi } from '../sandbox/api';
import { generateDts } from '../sandbox/dts';
import type { PlaygroundConfig, PlaygroundFamily } from './config';
import { kafkaPlaygroundApi, kafkaPlaygroundSpec, kafkaPlaygroundTypes } from './kafka';
import { rabbitPlaygroundApi, rabbitPlaygroundSpec, rabbitPlaygroundTypes } from './rabbitmq';
import { PLAYGROUND_STARTERS } from './starters';

export * from './config';
export { PLAYGROUND_STARTERS, KAFKA_STARTER, RABBITMQ_STARTER } from './starters';
export { PLAYGROUND_CHAOS_MS, PLAYGROUND_HEAL_MS } from './common';

/** The playground for a (checked) topology, as a lab the runner can run. */
export function playgroundLab(config: PlaygroundConfig): LoadedLab {
  const spec = config.family === 'kafka' ? kafkaPlaygroundSpec(config) : rabbitPlaygroundSpec(config);
  return { spec, dir: `playground/${config.family}`, readme: '', starter: PLAYGROUND_STARTERS[config.family], solution: '' };
}

const dts = new Map<PlaygroundFamily, string>();

/** The `.d.ts` the editor loads for a family: the service API plus the family's client. */
export function playgroundDts(family: PlaygroundFamily): string {
  let text = dts.get(family);
  if (text === undefined) {
    text = family === 'kafka' ? generateDts(extendApi(serviceApi, kafkaPlaygroundApi, kafkaPlaygroundTypes)) : generateDts(extendApi(serviceApi, rabbitPlaygroundApi, rabbitPlaygroundTypes));
    dts.set(family, text);
  }
  return text;
}

import { useCallback, useEffect, useRef, useState } from 'react';
import type { PlaygroundFamily } from '../../labs/playground/config';
import { PLAYGROUND_STARTERS } from '../../labs/playground/starters';
import { LabAutosave, type SaveState } from '../storage/autosave';
import { labSaves } from '../storage/lab-saves';

type PerFamily<T> = Record<PlaygroundFamily, T>;
type Source = 'starter' | 'saved' | 'link' | 'edited';

/** The IndexedDB record of a family's playground code (the labs' store, under its own key). */
export const playgroundSaveKey = (family: PlaygroundFamily): string => `playground:${family}`;

function savedCode(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const code = (raw as { code?: unknown }).code;
  return typeof code === 'string' && code.trim() !== '' ? code : undefined;
}

/**
 * The playground's code, one file per broker family, autosaved to IndexedDB as lab code is (the
 * same store and writer; the catalog ignores these records, which have no progress). On opening,
 * each family shows its saved code, else its starter. Code that came with a link is shown instead
 * and is not saved until it is edited, so the learner's own saved code is kept and offered back.
 */
export function usePlaygroundCode() {
  const [codes, setCodes] = useState<PerFamily<string>>({ ...PLAYGROUND_STARTERS });
  const [saveStates, setSaveStates] = useState<PerFamily<SaveState>>({ kafka: { kind: 'idle' }, rabbitmq: { kind: 'idle' } });
  const [offer, setOffer] = useState<PlaygroundFamily>();
  const [loadProblem, setLoadProblem] = useState<string>();
  const source = useRef<PerFamily<Source>>({ kafka: 'starter', rabbitmq: 'starter' });
  const saved = useRef<Partial<PerFamily<string>>>({});
  const current = useRef(codes);
  current.current = codes;
  const [savers] = useState<PerFamily<LabAutosave>>(() => ({
    kafka: new LabAutosave(playgroundSaveKey('kafka'), {}, labSaves, (s) => setSaveStates((p) => ({ ...p, kafka: s }))),
    rabbitmq: new LabAutosave(playgroundSaveKey('rabbitmq'), {}, labSaves, (s) => setSaveStates((p) => ({ ...p, rabbitmq: s }))),
  }));

  useEffect(() => {
    let live = true;
    for (const family of ['kafka', 'rabbitmq'] as const) {
      labSaves.get(playgroundSaveKey(family)).then(
        (raw) => {
          const code = savedCode(raw);
          if (!live || code === undefined) return;
          saved.current[family] = code;
          if (source.current[family] === 'starter') {
            source.current[family] = 'saved';
            setCodes((c) => ({ ...c, [family]: code }));
          } else if (source.current[family] === 'link' && current.current[family] !== code) setOffer(family);
        },
        (e: Error) => live && setLoadProblem(`Saved playground code could not be read: ${e.message}; the editor starts from the starter, and your changes are saved when storage works again.`),
      );
    }
    const flush = (): void => {
      void savers.kafka.flush();
      void savers.rabbitmq.flush();
    };
    const onHidden = (): void => {
      if (document.visibilityState === 'hidden') flush();
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', onHidden);
    return () => {
      live = false;
      window.removeEventListener('pagehide', flush);
      document.removeEventListener('visibilitychange', onHidden);
      flush();
    };
  }, [savers]);

  /** The learner typed: show it and save it. */
  const edit = useCallback(
    (family: PlaygroundFamily, code: string) => {
      source.current[family] = 'edited';
      saved.current[family] = code;
      setCodes((c) => ({ ...c, [family]: code }));
      savers[family].update({ code });
      setOffer((o) => (o === family ? undefined : o));
    },
    [savers],
  );

  /** A link's code (or the starter, when the link has none): shown, not saved over the learner's own. */
  const fromLink = useCallback((family: PlaygroundFamily, code: string) => {
    source.current[family] = 'link';
    setCodes((c) => ({ ...c, [family]: code }));
    const own = saved.current[family];
    setOffer(own !== undefined && own !== code ? family : undefined);
  }, []);

  /** Puts the learner's saved code back in the editor (after a link replaced it). */
  const restoreSaved = useCallback((family: PlaygroundFamily) => {
    const own = saved.current[family];
    setOffer(undefined);
    if (own === undefined) return;
    source.current[family] = 'saved';
    setCodes((c) => ({ ...c, [family]: own }));
  }, []);

  return { codes, saveStates, offer, dismissOffer: () => setOffer(undefined), loadProblem, edit, fromLink, restoreSaved };
}

import type { ReactNode } from 'react';
import { fieldId } from './topology-draft';

/**
 * The topology form's fields: a label, the control, and the field's problem under it (tied to the
 * control with aria-describedby and aria-invalid), so a screen reader hears what to fix where.
 */
interface Common {
  formId: string;
  /** The field's path in the config (`topics[0].partitions`): its id and where its problem comes from. */
  path: string;
  label: ReactNode;
  problems: ReadonlyMap<string, string>;
  help?: ReactNode;
  className?: string;
}

function Problem({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <p className="pg-field-problem" id={id}>
      {text}
    </p>
  );
}

function describedBy(id: string, problem: string | undefined, help: ReactNode): string | undefined {
  const ids = [problem ? `${id}-problem` : '', help ? `${id}-help` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

export function TextField({ formId, path, label, problems, help, className, value, onChange, numeric, placeholder }: Common & { value: string | number; onChange: (v: string) => void; numeric?: boolean; placeholder?: string }) {
  const id = fieldId(formId, path);
  const problem = problems.get(path);
  return (
    <div className={`field pg-field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        inputMode={numeric ? 'numeric' : undefined}
        spellCheck={false}
        autoComplete="off"
        value={String(value)}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy(id, problem, help)}
      />
      {help && (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      )}
      <Problem id={`${id}-problem`} text={problem} />
    </div>
  );
}

export function SelectField({ formId, path, label, problems, help, className, value, onChange, options }: Common & { value: string; onChange: (v: string) => void; options: readonly { value: string; label: string }[] }) {
  const id = fieldId(formId, path);
  const problem = problems.get(path);
  // A value the options lack (a renamed topic) stays visible, so its problem has something to point at.
  const all = options.some((o) => o.value === value) ? options : [...options, { value, label: value === '' ? '(none)' : `${value} (missing)` }];
  return (
    <div className={`field pg-field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={problem ? true : undefined} aria-describedby={describedBy(id, problem, help)}>
        {all.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {help && (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      )}
      <Problem id={`${id}-problem`} text={problem} />
    </div>
  );
}

export function CheckField({ formId, path, label, problems, help, className, checked, onChange }: Common & { checked: boolean; onChange: (v: boolean) => void }) {
  const id = fieldId(formId, path);
  const problem = problems.get(path);
  return (
    <div className={`pg-field pg-check-field${className ? ` ${className}` : ''}`}>
      <label className="check" htmlFor={id}>
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-invalid={problem ? true : undefined} aria-describedby={describedBy(id, problem, help)} />
        <span>{label}</span>
      </label>
      {help && (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      )}
      <Problem id={`${id}-problem`} text={problem} />
    </div>
  );
}

/** A section of the form (Topics, Producers, …): its heading, its own problem, its entries and an Add button. */
export function FormSection({ formId, path, title, problems, onAdd, addLabel, canAdd, children }: { formId: string; path: string; title: string; problems: ReadonlyMap<string, string>; onAdd?: () => void; addLabel?: string; canAdd?: boolean; children: ReactNode }) {
  const id = fieldId(formId, path);
  const problem = problems.get(path);
  return (
    <section className="pg-section" aria-labelledby={`${id}-title`}>
      <div className="pg-section-head">
        <h3 id={`${id}-title`}>{title}</h3>
        {onAdd && (
          <button type="button" className="secondary small" onClick={onAdd} disabled={canAdd === false}>
            {addLabel}
          </button>
        )}
      </div>
      <Problem id={`${id}-problem`} text={problem} />
      {children}
    </section>
  );
}

/** One entry (a topic, a producer, …): a fieldset whose legend names it and the nodes it makes, with a Remove button. */
export function Entry({ legend, nodes, onRemove, removeLabel, children }: { legend: string; nodes?: string; onRemove?: () => void; removeLabel: string; children: ReactNode }) {
  return (
    <fieldset className="pg-entry">
      <legend>
        {legend}
        {nodes && <span className="pg-entry-nodes"> · {nodes}</span>}
      </legend>
      <div className="pg-entry-grid">{children}</div>
      {onRemove && (
        <button type="button" className="secondary small pg-remove" onClick={onRemove} aria-label={removeLabel}>
          Remove
        </button>
      )}
    </fieldset>
  );
}

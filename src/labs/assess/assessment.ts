import { AssessFileError, type FileResult } from './file-error';
import { checkSeeds, FORMAT_VERSION, isKebabId, ProblemList, readEnvelope } from './envelope';

export const ASSESSMENT_FORMAT = 'brokerlab-assessment';

/**
 * An assessment: which labs count, how many points each is worth, and the public seeds its runs
 * use. Public: it may ship with the app and learners may read it. The instructor's key adds the
 * hidden seeds and fault schedules.
 */
export interface Assessment {
  format: typeof ASSESSMENT_FORMAT;
  version: typeof FORMAT_VERSION;
  /** Kebab-case id a key and a submission name to say which assessment they belong to. */
  id: string;
  title: string;
  /** Optional: a paragraph for the instructor page. */
  description?: string;
  labs: AssessmentLab[];
}

export interface AssessmentLab {
  /** A lab id (`brokerlab labs`). */
  lab: string;
  /** What the lab is worth; its checks' points are scaled to add up to this. */
  points: number;
  /** Public seeds every submission is graded on (learners can run these themselves). */
  seeds: number[];
}

export const ASSESSMENT_LABS_MAX = 100;
export const PUBLIC_SEEDS_MAX = 100;
export const LAB_POINTS_MAX = 10_000;
const ASSESSMENT_CHARS_MAX = 1024 * 1024;

const TOP_FIELDS = ['format', 'version', 'id', 'title', 'description', 'labs'];
const HINT = 'Pass the assessment file (format "brokerlab-assessment"), such as labs-content/assessments/first-track.json.';

/** Parses and validates an assessment file's text; every problem names the JSON path. */
export function parseAssessment(text: string, file: string): FileResult<Assessment> {
  const env = readEnvelope(text, file, { format: ASSESSMENT_FORMAT, charsMax: ASSESSMENT_CHARS_MAX, foreignHint: HINT });
  if (!env.ok) return env;
  return validateAssessment(env.value, file);
}

export function validateAssessment(v: Record<string, unknown>, file: string): FileResult<Assessment> {
  const list = new ProblemList();
  for (const k of Object.keys(v)) if (!TOP_FIELDS.includes(k)) list.add(k, `unknown field; an assessment has ${TOP_FIELDS.map((f) => `"${f}"`).join(', ')}`);
  if (!isKebabId(v.id)) list.add('id', `must be a kebab-case id like "first-track", got ${JSON.stringify(v.id)}`);
  if (typeof v.title !== 'string' || v.title.trim() === '' || v.title.length > 200) list.add('title', 'must be a non-empty string of at most 200 characters');
  if (v.description !== undefined && (typeof v.description !== 'string' || v.description.length > 5000)) list.add('description', 'is optional; when given, a string of at most 5000 characters');
  const labs: AssessmentLab[] = [];
  if (!Array.isArray(v.labs) || v.labs.length === 0) list.add('labs', 'list at least one lab, like [{ "lab": "vector-clocks", "points": 25, "seeds": [3, 1, 2] }]');
  else if (v.labs.length > ASSESSMENT_LABS_MAX) list.add('labs', `lists ${v.labs.length} labs; an assessment has at most ${ASSESSMENT_LABS_MAX}`);
  else {
    const seen = new Set<string>();
    v.labs.forEach((raw: unknown, i: number) => {
      const at = `labs[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return list.add(at, 'each lab is an object with "lab", "points" and "seeds"');
      const l = raw as Record<string, unknown>;
      if (!isKebabId(l.lab)) list.add(`${at}.lab`, `must be a lab id like "vector-clocks" (see brokerlab labs), got ${JSON.stringify(l.lab)}`);
      else if (seen.has(l.lab)) list.add(`${at}.lab`, `"${l.lab}" is listed twice`);
      else seen.add(l.lab);
      const points = l.points;
      if (typeof points !== 'number' || !Number.isFinite(points) || points <= 0 || points > LAB_POINTS_MAX || Math.round(points * 100) !== points * 100) {
        list.add(`${at}.points`, `must be a positive number of points (at most ${LAB_POINTS_MAX}, to two decimals), got ${JSON.stringify(points)}`);
      }
      const seeds = checkSeeds(list, `${at}.seeds`, l.seeds, { min: 1, max: PUBLIC_SEEDS_MAX });
      for (const k of Object.keys(l)) if (!['lab', 'points', 'seeds'].includes(k)) list.add(`${at}.${k}`, `unknown field; a lab has "lab", "points" and "seeds"`);
      labs.push({ lab: String(l.lab), points: Number(points), seeds });
    });
  }
  if (!list.empty) return { ok: false, error: new AssessFileError(file, 'invalid', list.problems) };
  const a: Assessment = { format: ASSESSMENT_FORMAT, version: FORMAT_VERSION, id: v.id as string, title: (v.title as string).trim(), labs };
  if (typeof v.description === 'string') a.description = v.description;
  return { ok: true, value: a };
}

/** Problems with an assessment's lab ids against the labs this Brokerlab has. */
export function checkAssessmentLabs(a: Assessment, file: string, labIds: readonly string[]): AssessFileError | undefined {
  const known = new Set(labIds);
  const problems = a.labs.flatMap((l, i) => (known.has(l.lab) ? [] : [{ path: `labs[${i}].lab`, message: `unknown lab "${l.lab}"; the labs are: ${labIds.join(', ') || '(none)'}` }]));
  return problems.length ? new AssessFileError(file, 'invalid', problems) : undefined;
}

/** The file text Brokerlab writes for an assessment: two-space JSON, fields in a readable order. */
export function assessmentToText(a: Assessment): string {
  const labs = a.labs.map((l) => `    { "lab": ${JSON.stringify(l.lab)}, "points": ${l.points}, "seeds": ${JSON.stringify(l.seeds)} }`).join(',\n');
  const description = a.description === undefined ? '' : `  "description": ${JSON.stringify(a.description)},\n`;
  return `{\n  "format": "${ASSESSMENT_FORMAT}",\n  "version": ${FORMAT_VERSION},\n  "id": ${JSON.stringify(a.id)},\n  "title": ${JSON.stringify(a.title)},\n${description}  "labs": [\n${labs}\n  ]\n}\n`;
}

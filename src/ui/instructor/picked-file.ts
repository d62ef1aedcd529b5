/** A file a person handed the page: its name and its text, or why it could not be read. */
export type PickedFile = { name: string; text: string } | { name: string; unreadable: { kind: 'unreadable' | 'too-large'; message: string } };

/** Files larger than this are refused before they are read: no Brokerlab file comes near it. */
export const PICKED_BYTES_MAX = 32 * 1024 * 1024;

/** Reads a File the person picked or dropped, refusing huge ones before reading them. */
export async function readPicked(file: Pick<File, 'name' | 'size' | 'text'>): Promise<PickedFile> {
  if (file.size > PICKED_BYTES_MAX) {
    const message = `${Math.round(file.size / (1024 * 1024))} MB is too large for a Brokerlab file (at most ${PICKED_BYTES_MAX / (1024 * 1024)} MB); check that this is the right file`;
    return { name: file.name, unreadable: { kind: 'too-large', message } };
  }
  try {
    return { name: file.name, text: await file.text() };
  } catch (e) {
    return { name: file.name, unreadable: { kind: 'unreadable', message: `cannot be read: ${(e as Error).message}` } };
  }
}

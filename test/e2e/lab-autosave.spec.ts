import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './ui-helpers';

const LAB = 'at-least-once';
const STARTER = readFileSync('labs-content/01-delivery/01-at-least-once/starter.ts', 'utf8');

async function editorText(page: Page): Promise<string> {
  return ((await page.getByTestId('code-editor').locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/** Writes a record straight into the app's store, as an older version or a damaged disk might have left it. */
async function plantRecord(page: Page, record: unknown): Promise<void> {
  await page.goto('/#/about');
  await page.evaluate(
    (rec) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('brokerlab', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('labs', { keyPath: 'labId' });
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction('labs', 'readwrite');
          tx.objectStore('labs').put(rec);
          tx.oncomplete = () => {
            req.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    record,
  );
}

async function openLab(page: Page): Promise<void> {
  await page.goto(`/#/lab/${LAB}`);
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
}

test('damaged progress is reported and the saved code is still restored', async ({ page }) => {
  await plantRecord(page, { labId: LAB, format: 1, code: 'export const mine = 1; // my own work\n', progress: { status: 'active', value: 'flying', context: {} } });
  await openLab(page);
  await expect(page.getByTestId('lab-notice')).toHaveText(
    `Saved work for lab ${LAB} could not be read: the progress is in an unknown state "flying"; your saved code was restored and your progress starts afresh.Dismiss`,
  );
  await expect.poll(() => editorText(page)).toContain('export const mine = 1; // my own work');
  await expect(page.locator('.lab-head [data-status]')).toHaveAttribute('data-status', 'not started');
  await page.screenshot({ path: 'test-results/screenshots/lab-autosave-damaged.png' });
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('lab-notice')).toHaveCount(0);
});

test('damaged code is reported and never replaces the editor with nothing', async ({ page }) => {
  await plantRecord(page, { labId: LAB, format: 1, code: 42 });
  await openLab(page);
  await expect(page.getByTestId('lab-notice')).toContainText(`Saved work for lab ${LAB} could not be read: the saved code is a number, not text; your current code is kept`);
  await expect.poll(() => editorText(page)).toContain(STARTER.split('\n')[0]!);
  // The catalog shows the lab as not started (the record has no progress) and no error.
  await page.goto('/#/labs');
  await expect(page.locator(`[data-lab="${LAB}"]`)).toHaveAttribute('data-status', 'not started', { timeout: 30_000 });
});

test('a store that cannot be opened is reported; the lab still works and says autosave failed', async ({ page }) => {
  // A database from a newer version: opening it at ours fails with a VersionError.
  await page.goto('/#/about');
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('brokerlab', 99);
        req.onupgradeneeded = () => req.result.createObjectStore('labs', { keyPath: 'labId' });
        req.onsuccess = () => {
          req.result.close();
          resolve();
        };
        req.onerror = () => reject(req.error);
      }),
  );
  await openLab(page);
  const notice = page.getByTestId('lab-notice');
  await expect(notice).toContainText(`Saved work for lab ${LAB} could not be read: opening the saved work failed (VersionError`);
  await expect(notice).toContainText('your current code is kept.');
  await expect.poll(() => editorText(page)).toContain(STARTER.split('\n')[0]!);

  // Typing still works; the save fails visibly and the code stays in the editor.
  await page.getByTestId('code-editor').locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText('\n// still here\n');
  await expect(page.getByTestId('save-status')).toContainText('Not saved: opening the saved work failed (VersionError', { timeout: 15_000 });
  await expect.poll(() => editorText(page)).toContain('// still here');
  await page.screenshot({ path: 'test-results/screenshots/lab-autosave-unreadable.png' });

  await page.goto('/#/labs');
  await expect(page.getByTestId('catalog-notice')).toContainText('Saved progress could not be read: opening the saved work failed (VersionError', { timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/lab-catalog-unreadable.png' });
});

test('code typed and left is saved within a second, and restored after a reload', async ({ page }) => {
  await openLab(page);
  await expect(page.getByTestId('save-status')).toHaveText('Autosave on');
  await page.getByTestId('code-editor').locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText('\n// a note to self\n');
  await expect(page.getByTestId('save-status')).toHaveText(/^Saved at/, { timeout: 5_000 });
  await page.reload();
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  await expect.poll(() => editorText(page)).toContain('// a note to self');
  await expect(page.getByTestId('lab-notice')).toHaveCount(0);
  // Editing alone is progress: the catalog says in progress.
  await page.goto('/#/labs');
  await expect(page.locator(`[data-lab="${LAB}"]`)).toHaveAttribute('data-status', 'in progress', { timeout: 30_000 });
});

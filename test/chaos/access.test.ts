/**
 * The published access figure, computed by running every cell against a real relay process:
 * [P3] tokens, [P4] documents, [P5] read-only grants, [P6] foreign writes and awareness,
 * plus pairing-code reuse and another conversation's attachment.
 */
import { describe, expect, it } from 'vitest';
import { accessCellNames, accessCells } from './scenarios/access.js';

describe('chaos: access matrix figure', () => {
  it('[P3] [P4] [P5] [P6] every cell is refused', async () => {
    const figures = await accessCells((line) => console.info(line));
    console.table(figures.map((f) => ({ figure: f.name, value: f.value, mustBe: f.mustBe ?? '' })));
    const letIn = figures.find((f) => f.name === 'cells NOT refused')?.value ?? '';
    expect(letIn).toBe('');
    expect(figures[0]!.value).toBe(`${accessCellNames.length} / ${accessCellNames.length}`);
  }, 90_000);
});

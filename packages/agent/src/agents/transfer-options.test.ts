import { describe, expect, it } from 'vitest';
import type { AgentEntry } from './agents-api.js';
import { myTeams, teamsFromDirectory, transferOptions } from './transfer-options.js';

const entry = (id: string, name: string, teams: string[] = [], disabled = false): AgentEntry => ({ id, name, email: `${id}@x.test`, role: 'agent', teams, disabled });
const directory = [entry('me', 'Mia', ['tier1']), entry('b', 'Bea', ['tier1', 'sales']), entry('c', 'Cal'), entry('d', 'Dan', ['sales'], true), entry('a', 'Abe', ['senior'])];

describe('transferOptions', () => {
  it('lists every active agent, online first then away then offline, by name; me first; disabled never', () => {
    const options = transferOptions(directory, [{ id: 'c', name: 'Cal', presence: 'online' }, { id: 'b', name: 'Bea', presence: 'away' }, { id: 'd', name: 'Dan', presence: 'online' }], { id: 'me', name: 'Mia' });
    expect(options.map((o) => o.label)).toEqual(['Mia (me)', 'Cal · online', 'Bea · away', 'Abe · offline']);
  });

  it('still offers connected agents when the directory is not loaded (first start offline)', () => {
    expect(transferOptions([], [{ id: 'x', name: 'Xi', presence: 'online' }], { id: 'me', name: 'Mia' }).map((o) => o.id)).toEqual(['me', 'x']);
  });
});

describe('teams', () => {
  it.each<[string, readonly AgentEntry[], string[]]>([
    ['the directory answer', directory, ['tier1']],
    ['the sign-in answer before the directory loads', [], ['sales']],
  ])('my teams come from %s', (_what, dir, teams) => {
    expect(myTeams(dir, 'me', ['sales'])).toEqual(teams);
  });

  it('builds routing teams from the directory without disabled agents', () => {
    expect(teamsFromDirectory(directory)).toEqual([
      { name: 'sales', members: ['b'] },
      { name: 'senior', members: ['a'] },
      { name: 'tier1', members: ['b', 'me'] },
    ]);
  });
});

import { css } from 'lit';

/** Shared tokens; components read CSS custom properties so admins' colours can reach the app too. */
export const theme = css`
  :host {
    --pa-bg: #f6f7f9;
    --pa-panel: #ffffff;
    --pa-border: #dde1e6;
    --pa-text: #1d2430;
    --pa-muted: #5d6675;
    --pa-accent: var(--parley-accent, #3056d3);
    --pa-accent-text: #ffffff;
    --pa-note: #fff6d6;
    --pa-danger: #b42318;
    --pa-ok: #157f3b;
    --pa-radius: 8px;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Color Emoji', sans-serif;
    font-size: 14px;
    color: var(--pa-text);
    box-sizing: border-box;
  }
  *, *::before, *::after { box-sizing: inherit; }
  button {
    font: inherit; border: 1px solid var(--pa-border); background: var(--pa-panel); color: var(--pa-text);
    border-radius: 6px; padding: 4px 10px; cursor: pointer;
  }
  button.primary { background: var(--pa-accent); color: var(--pa-accent-text); border-color: var(--pa-accent); }
  button[aria-pressed='true'], button[aria-selected='true'] { background: var(--pa-accent); color: var(--pa-accent-text); border-color: var(--pa-accent); }
  button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible { outline: 2px solid var(--pa-accent); outline-offset: 1px; }
  input, textarea, select { font: inherit; border: 1px solid var(--pa-border); border-radius: 6px; padding: 6px 8px; background: #fff; color: inherit; }
  .muted { color: var(--pa-muted); }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

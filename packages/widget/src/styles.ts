import { css } from 'lit';

/**
 * All of the widget's CSS, scoped by its shadow root. `all: initial` on the host stops the host
 * page's inherited styles (fonts, line height, colours) from leaking in; nothing leaks out because
 * every rule lives inside the shadow root. Colours come from custom properties set from settings.
 */
export const styles = css`
  :host {
    all: initial;
    --parley-primary: #1f5fd1;
    --parley-on-primary: #ffffff;
    --parley-bg: #ffffff;
    --parley-fg: #1b1f24;
    --parley-muted: #57606a;
    --parley-bubble-them: #eef1f4;
    --parley-radius: 16px;
    --parley-vvh: 100vh;
    --parley-vvtop: 0px;
    font: 15px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans Arabic', sans-serif;
    color: var(--parley-fg);
    position: fixed;
    z-index: 2147483000;
    inset-block-end: calc(20px + env(safe-area-inset-bottom));
    inset-inline-end: calc(20px + env(safe-area-inset-right));
  }
  :host([position='left']) {
    inset-inline-end: auto;
    inset-inline-start: calc(20px + env(safe-area-inset-left));
  }
  *, *::before, *::after { box-sizing: border-box; }
  button, input, textarea, select { font: inherit; color: inherit; }
  button { cursor: pointer; }
  :focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

  .launcher {
    display: flex; align-items: center; gap: 8px; min-height: 56px; min-width: 56px; padding: 0 18px;
    border: 0; border-radius: 28px; background: var(--parley-primary); color: var(--parley-on-primary);
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.25); font-weight: 600; position: relative;
  }
  .launcher svg { width: 24px; height: 24px; fill: currentColor; }
  .badge {
    position: absolute; inset-block-start: -4px; inset-inline-end: -4px; min-width: 22px; height: 22px; padding: 0 6px;
    border-radius: 11px; background: #c62828; color: #fff; font-size: 12px; line-height: 22px; text-align: center;
  }
  .invite {
    position: absolute; inset-block-end: 70px; inset-inline-end: 0; width: 260px; padding: 12px 14px;
    background: var(--parley-bg); border-radius: 12px; box-shadow: 0 4px 16px rgb(0 0 0 / 0.2);
  }

  .panel {
    position: fixed; inset-block-end: calc(88px + env(safe-area-inset-bottom)); inset-inline-end: 20px;
    width: 380px; height: min(640px, calc(100vh - 120px));
    display: flex; flex-direction: column; background: var(--parley-bg); border-radius: var(--parley-radius);
    box-shadow: 0 8px 32px rgb(0 0 0 / 0.25); overflow: hidden;
  }
  :host([position='left']) .panel { inset-inline-end: auto; inset-inline-start: 20px; }
  .panel.mobile {
    inset: 0; inset-block-start: var(--parley-vvtop); width: 100vw; height: var(--parley-vvh); border-radius: 0;
    padding: env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left);
    font-size: 17px;
  }
  .header {
    display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: var(--parley-primary); color: var(--parley-on-primary);
  }
  .header h2 { flex: 1; margin: 0; font-size: 1.05em; }
  .header button { background: transparent; border: 0; color: inherit; min-width: 40px; min-height: 40px; border-radius: 8px; font-size: 1.2em; }
  .header select { background: transparent; border: 1px solid currentColor; border-radius: 6px; color: inherit; padding: 2px 4px; }
  .header select option { color: #000; }
  .banner { padding: 8px 14px; font-size: 0.9em; background: #fff4d6; color: #4d3800; }
  .banner.offline { background: #3b3b3b; color: #fff; }
  .banner.info { background: #e3edff; color: #0b2f6b; }
  .banner button { margin-inline-start: 8px; background: transparent; border: 1px solid currentColor; border-radius: 6px; }

  .body { flex: 1; overflow-y: auto; padding: 12px 14px; overscroll-behavior: contain; }
  .greeting { margin: 0 0 12px; padding: 12px; border-radius: 12px; background: var(--parley-bubble-them); }
  .list { list-style: none; margin: 0; padding: 0; }
  .list button {
    display: block; width: 100%; text-align: start; padding: 10px; margin-block-end: 6px; border: 1px solid #d0d7de;
    border-radius: 10px; background: var(--parley-bg);
  }
  .list .when { float: inline-end; color: var(--parley-muted); font-size: 0.85em; }
  .list .preview { display: block; color: var(--parley-muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .list .count { background: var(--parley-primary); color: var(--parley-on-primary); border-radius: 10px; padding: 0 7px; font-size: 0.8em; }
  .primary {
    display: block; width: 100%; padding: 10px 14px; border: 0; border-radius: 10px; background: var(--parley-primary);
    color: var(--parley-on-primary); font-weight: 600;
  }
  .secondary { padding: 8px 12px; border: 1px solid var(--parley-primary); border-radius: 10px; background: transparent; color: var(--parley-primary); }

  .messages { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 4px; }
  .day::first-letter { text-transform: uppercase; }
  .day { align-self: center; margin: 10px 0 4px; font-size: 0.8em; color: var(--parley-muted); }
  .event { align-self: center; font-size: 0.85em; color: var(--parley-muted); font-style: italic; }
  .msg { display: flex; gap: 6px; max-width: 85%; align-items: flex-end; }
  .msg.mine { align-self: flex-end; flex-direction: row-reverse; }
  .avatar { width: 28px; height: 28px; border-radius: 50%; background: #8a96a3; color: #fff; display: grid; place-items: center; font-size: 0.8em; flex: none; position: relative; overflow: hidden; }
  .avatar img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; }
  .avatar img[hidden] { display: none; }
  .bubble { padding: 8px 12px; border-radius: 16px; background: var(--parley-bubble-them); overflow-wrap: anywhere; }
  .bubble .text { white-space: pre-wrap; }
  .mine .bubble { background: var(--parley-primary); color: var(--parley-on-primary); }
  .mobile .bubble { padding: 10px 14px; }
  .author { display: block; font-size: 0.8em; font-weight: 600; }
  .meta { display: block; font-size: 0.75em; opacity: 0.9; margin-block-start: 2px; }
  .tick { margin-inline-start: 4px; letter-spacing: -0.2em; }
  .tick.read { color: #8fe3ff; font-weight: 700; }
  .bubble img { display: block; max-width: 100%; max-height: 240px; border-radius: 8px; }
  .bubble a { color: inherit; }
  .typing { color: var(--parley-muted); font-size: 0.85em; padding: 4px 14px; min-height: 1.6em; }

  .quick { display: flex; flex-wrap: wrap; gap: 6px; padding: 0 14px 8px; }
  .quick button { border: 1px solid var(--parley-primary); color: var(--parley-primary); background: var(--parley-bg); border-radius: 16px; padding: 4px 12px; }

  form.composer { display: flex; gap: 6px; align-items: flex-end; padding: 8px 10px; border-block-start: 1px solid #d0d7de; }
  .composer textarea {
    flex: 1; resize: none; min-height: 40px; max-height: 120px; padding: 9px 12px; border: 1px solid #8c959f; border-radius: 20px; background: var(--parley-bg);
  }
  .composer button { min-width: 40px; min-height: 40px; border: 0; border-radius: 20px; background: var(--parley-primary); color: var(--parley-on-primary); padding: 0 12px; }
  .composer button.icon { background: transparent; color: var(--parley-fg); padding: 0 8px; }
  .composer button.icon svg { width: 22px; height: 22px; fill: currentColor; display: block; }
  .dropzone { outline: 3px dashed var(--parley-primary); outline-offset: -6px; }
  .hint { font-size: 0.8em; color: var(--parley-muted); padding: 0 14px; }
  .error { color: #b00020; font-size: 0.9em; padding: 4px 14px; }

  form.fields label, form.rating label { display: block; margin-block: 8px; }
  form.fields input, form.fields select, form.rating textarea { display: block; width: 100%; margin-block-start: 4px; padding: 8px; border: 1px solid #8c959f; border-radius: 8px; }
  form.rating fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: 6px; }
  form.rating legend { font-weight: 600; margin-block-end: 6px; }
  form.rating input[type='radio'] { position: absolute; opacity: 0; }
  form.rating .star { display: inline-grid; place-items: center; width: 40px; height: 40px; border: 1px solid #8c959f; border-radius: 50%; }
  form.rating input:checked + .star { background: var(--parley-primary); color: var(--parley-on-primary); border-color: var(--parley-primary); }
  form.rating input:focus-visible + .star { outline: 3px solid #f0a000; }
  .pairing { text-align: center; }
  .pairing svg { width: 200px; height: 200px; }
  .pairing .code { font: 600 1.4em ui-monospace, monospace; letter-spacing: 0.15em; }
`;

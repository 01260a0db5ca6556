/** Entry point of the agent app (index.html loads it). */
import './shell/app-shell.js';
import { registerAppShell } from './offline/register.js';

registerAppShell();

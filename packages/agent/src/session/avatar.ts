/**
 * The My profile form's check, before anything goes to the relay: core's `checkAvatar` is the rule
 * the relay applies too, so the sentence the agent reads is the one a refusal would carry.
 */
import { checkAvatar, isParleyError } from '@parley/core';

/** Core's reason, as a sentence, for a URL it would refuse; null for one it takes ('' = no picture). */
export function avatarProblem(url: string): string | null {
  if (url === '') return null;
  try {
    checkAvatar(url);
    return null;
  } catch (err) {
    return isParleyError(err) ? `${err.message[0]!.toUpperCase()}${err.message.slice(1)}.` : String(err);
  }
}

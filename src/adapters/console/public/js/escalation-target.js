/**
 * The escalation target of an accepted expert: the direct number or extension, the Teams identity and the voice
 * routing point, each with a Copy action, for transferring or conferencing the customer's call in the telephony
 * system.
 */
import { h } from './dom.js';

/**
 * @typedef {import('../../../agent-api/api-types.js').VoiceTarget} VoiceTarget
 */

/**
 * The lines of a voice target: label and value.
 * @param {VoiceTarget} target
 * @returns {{ label: string, value: string }[]}
 */
export function voiceTargetLines(target) {
  const lines = [];
  if (target.direct?.kind === 'extension') lines.push({ label: 'Extension', value: target.direct.extension });
  if (target.direct?.kind === 'number') {
    const n = target.direct.number;
    lines.push({ label: 'Direct number', value: n.extension ? `${n.e164};ext=${n.extension}` : n.e164 });
  }
  if (target.teams?.sipUri) lines.push({ label: 'Teams (SIP)', value: target.teams.sipUri });
  if (target.route?.kind === 'routing-point') {
    const name = target.route.name ? ` (${target.route.name})` : '';
    lines.push({ label: `Voice routing point${name}`, value: target.route.dn });
  }
  return lines;
}

/**
 * The escalation-target section.
 * @param {VoiceTarget} target
 * @param {(message: string) => void} onNotice
 */
export function escalationTargetSection(target, onNotice) {
  const lines = voiceTargetLines(target);
  const name = target.knowledgeWorker.name;
  const copy = async (/** @type {{ label: string, value: string }} */ line) => {
    try {
      await navigator.clipboard.writeText(line.value);
      onNotice(`Copied ${line.label.toLowerCase()} ${line.value}.`);
    } catch {
      onNotice(`Copy failed: select ${line.value} and copy it by hand.`);
    }
  };
  return h(
    'section',
    { class: 'escalation', 'aria-label': `Escalation target: ${name}` },
    h('h3', { text: `Escalation target: ${name}` }),
    lines.length === 0
      ? h('p', { text: 'No voice target is configured for this expert.' })
      : h(
          'ul',
          {},
          ...lines.map((line) =>
            h(
              'li',
              {},
              h('span', { class: 'label', text: `${line.label}:` }),
              h('span', { class: 'value', text: line.value }),
              h('button', {
                type: 'button',
                text: 'Copy',
                'aria-label': `Copy ${line.label.toLowerCase()} ${line.value}`,
                onclick: () => void copy(line),
              }),
            ),
          ),
        ),
  );
}

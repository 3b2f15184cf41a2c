/**
 * Reading and using the Microsoft 365 Agents Playground's page as its signed-in user would, in Chromium: the
 * connector's cards and messages in the personal chat, and the message box.
 */
import type { Locator, Page } from 'playwright-core';

/** The start of the bot's welcome, sent when the page opens and installs the app for the signed-in user. */
export const WELCOME_TEXT = 'When a contact-center agent needs your expertise';

/** The last card in the chat that says `text`. */
export function cardSaying(page: Page, text: string): Locator {
  return page.locator('.ac-adaptiveCard').filter({ hasText: text }).last();
}

/** The last paragraph in the chat that says `text` (the chat list and the log panel repeat texts elsewhere). */
export function said(page: Page, text: string): Locator {
  return page.locator('p').filter({ hasText: text }).last();
}

/** Types `text` into the message box and sends it with Enter. */
export async function writeInPlayground(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox').last();
  await box.click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

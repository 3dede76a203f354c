/**
 * Joining by session ID on the rig, as a user would: the operator types the ID the host page
 * shows into Session ID and clicks Join. Shared by the e2e tests that open a session that way.
 */
import type { Page } from 'playwright-core';

/** The pages of a rig's host and operator (SessionRig has both). */
export interface JoinPages {
  host: { page: Page };
  operator: { page: Page };
}

/** Types the ID the host shows into the operator's Join and clicks it; the ID as shown ("123 456 789"). */
export async function enterShownId(rig: JoinPages): Promise<string> {
  const idText = await rig.host.page.getByTestId('session-id').textContent({ timeout: 10_000 });
  await rig.operator.page.getByLabel('Session ID').fill(idText!);
  await rig.operator.page.getByRole('button', { name: 'Join' }).click();
  return idText!;
}

/** Joins by ID and waits for the operator's "Waiting for the user's consent"; the ID without spaces. */
export async function joinById(rig: JoinPages): Promise<string> {
  const idText = await enterShownId(rig);
  await rig.operator.page.getByText("Waiting for the user's consent").waitFor();
  return idText.replace(/ /g, '');
}

import type { PageLoad } from './$types';

/** The agent to start with: `?agent=…` when it is one of the user's, else the first. */
export const load: PageLoad = async ({ parent, url }) => {
  const { agents } = await parent();
  const wanted = url.searchParams.get('agent');
  return { agentId: agents.find((a) => a.id === wanted)?.id ?? agents[0]?.id ?? '' };
};

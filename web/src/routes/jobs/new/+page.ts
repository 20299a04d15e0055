import type { PageLoad } from './$types';

/**
 * The agent to start with: `?agent=…` when it is one of the user's, else the first. "Run again with
 * another title" adds the job's `languages` (comma-separated), `variations` and `budget`.
 */
export const load: PageLoad = async ({ parent, url }) => {
  const { agents } = await parent();
  const params = url.searchParams;
  const wanted = agents.find((a) => a.id === params.get('agent'));
  const variations = Number(params.get('variations'));
  const budget = Number(params.get('budget'));
  return {
    agentId: wanted?.id ?? agents[0]?.id ?? '',
    // Only for the agent asked for: another agent's languages mean nothing here.
    languages: wanted ? params.get('languages')?.split(',').filter(Boolean) : undefined,
    variations: Number.isInteger(variations) && variations > 0 ? variations : 1,
    budget: params.get('budget') && budget > 0 ? String(budget) : '',
  };
};

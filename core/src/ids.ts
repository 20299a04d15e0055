// Imported by workflow code too, so it must stay free of Node and of heavy dependencies.

/** Workflow ids: the job's is its id; each narration's is derived from it, so anyone can find it. */
export const workflowIds = {
  job: (jobId: string) => jobId,
  narration: (jobId: string, variation: number, language: string) => `${jobId}/v${variation}/${language}`,
};

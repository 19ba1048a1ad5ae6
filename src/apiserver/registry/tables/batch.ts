import type { KubeObject } from '../../../api/meta.js';
import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import {
  age,
  ageColumn,
  arr,
  boolPtr,
  col,
  containerCells,
  containersColumn,
  formatLabelSelector,
  humanDuration,
  imagesColumn,
  nameColumn,
  num,
  rec,
  since,
  str,
} from './format.js';

/** The first condition of the type decides, as upstream's hasJobCondition. */
function hasCondition(job: KubeObject, type: string): boolean {
  return arr(rec(job.status).conditions).find((c) => c.type === type)?.status === 'True';
}

/** Complete > Failed > Terminating > Suspended > FailureTarget > Running, as upstream (kubectl 1.32). */
function jobStatus(job: KubeObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(job: KubeObject): string {
  const spec = rec(job.spec);
  const succeeded = num(rec(job.status).succeeded);
  if (typeof spec.completions === 'number') return `${succeeded}/${spec.completions}`;
  const parallelism = num(spec.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: KubeObject, now: number): string {
  const status = rec(job.status);
  const start = Date.parse(str(status.startTime));
  if (Number.isNaN(start)) return '';
  const end = Date.parse(str(status.completionTime));
  return humanDuration((Number.isNaN(end) ? now : end) - start);
}

export const jobTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Status', 'Status of the job.'),
    col('Completions', doc.jobSucceeded),
    col('Duration', 'Time required to complete the job.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    col('Selector', doc.jobSelector, 1),
  ],
  cells(job, now) {
    const spec = rec(job.spec);
    const [names, images] = containerCells(rec(spec.template).spec);
    return [
      job.metadata?.name ?? '',
      jobStatus(job),
      completions(job),
      jobDuration(job, now),
      age(job, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};

export const cronJobTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Schedule', doc.cjSchedule),
    col('Timezone', doc.cjTimeZone),
    col('Suspend', doc.cjSuspend, 0, 'boolean'),
    col('Active', doc.cjActive, 0, 'integer'),
    col('Last Schedule', doc.cjLast),
    ageColumn,
    containersColumn,
    imagesColumn,
    col('Selector', doc.jobSelector, 1),
  ],
  cells(cj, now) {
    const spec = rec(cj.spec);
    const status = rec(cj.status);
    const jobSpec = rec(rec(spec.jobTemplate).spec);
    const [names, images] = containerCells(rec(jobSpec.template).spec);
    const last = str(status.lastScheduleTime) ? since(status.lastScheduleTime, now) : '<none>';
    return [
      cj.metadata?.name ?? '',
      str(spec.schedule),
      typeof spec.timeZone === 'string' ? spec.timeZone : '<none>',
      boolPtr(spec.suspend),
      arr(status.active).length,
      last,
      age(cj, now),
      names,
      images,
      formatLabelSelector(jobSpec.selector),
    ];
  },
};

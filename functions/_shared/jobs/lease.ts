// Job leases (private.job_leases): a job that must not overlap itself takes its lease for the length of a run and
// gives it back at the end; a run that cannot take it does nothing. A crashed run's lease runs out by itself.
import { asServiceRole, type Sql } from "../platform/db.ts";

/** True if `holder` now holds `job`'s lease until now + seconds (it was free or had run out). */
export async function takeJobLease(
  sql: Sql,
  job: string,
  holder: string,
  seconds: number,
  now: Date,
): Promise<boolean> {
  const [row] = await asServiceRole(
    sql,
    (tx) =>
      tx<{ taken: boolean }[]>`select private.take_job_lease(${job}, ${holder}, ${
        Math.ceil(seconds)
      }, ${now}) as taken`,
  );
  return row?.taken === true;
}

/** Gives the lease back if `holder` still holds it; true if it did. */
export async function releaseJobLease(sql: Sql, job: string, holder: string): Promise<boolean> {
  const [row] = await asServiceRole(
    sql,
    (tx) => tx<{ released: boolean }[]>`select private.release_job_lease(${job}, ${holder}) as released`,
  );
  return row?.released === true;
}

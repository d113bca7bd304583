/**
 * Thrown by an exercise stub that the learner has not written yet. `task` names the graded task
 * (`"01.bigramCounts"`), so the grader, the notebooks and the student release can say which exercise to write.
 */
export class NotImplemented extends Error {
  readonly task: string;
  readonly hint: string;
  constructor(task: string, hint = "") {
    const [chapter] = task.split(".");
    super(
      `Exercise ${task} is not implemented yet: write it in exercises/${chapter}-*.ts` +
        (hint ? ` (hint: ${hint})` : ""),
    );
    this.name = "NotImplemented";
    this.task = task;
    this.hint = hint;
  }
}

/** True for a NotImplemented error, also one thrown by another copy of this module (child process, tslab). */
export function isNotImplemented(err: unknown): err is NotImplemented {
  return err instanceof Error && err.name === "NotImplemented";
}

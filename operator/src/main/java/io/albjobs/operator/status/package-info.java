/**
 * Step 3, what ALB's answer means, as pure functions of their inputs and a clock: an AsyncJob's
 * status and conditions from an ALB job ({@code JobStatuses}), a watch's counts, last failure and
 * conditions from its jobs ({@code WatchRollup}), the condition list rules ({@code Conditions}) and
 * the closed list of reasons with what each asks of a person ({@code Reasons}), what went wrong
 * ({@code Problem}) and whole-status copies ({@code Statuses}).
 */
package io.albjobs.operator.status;

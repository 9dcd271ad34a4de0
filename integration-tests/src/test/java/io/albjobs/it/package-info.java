/**
 * The integration suites, on a real kube-apiserver + etcd ({@code kube}) and the ALB simulator:
 * {@code e2e} (kubectl, leader election, restarts, the examples), {@code reliability} (faults, bad
 * input, isolation, one writer, edges), {@code api} (explain, targets), {@code chart}, {@code
 * image} (the shipped jar), {@code demo} (the playground), and {@code bench} (the benchmark
 * harness, not a test). Every suite stands on {@link io.albjobs.it.IntegrationEnv} and reads what
 * users see through {@link io.albjobs.it.PhaseRecorder}.
 */
package io.albjobs.it;

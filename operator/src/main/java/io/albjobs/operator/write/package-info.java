/**
 * Step 4, what Kubernetes stores: AsyncJob creation, conditional status writes and the phase label
 * ({@code JobMirror}, {@code StatusWriter}), Events ({@code EventRecorder}), retention of finished
 * jobs ({@code Retention}), and the naming rules of what is written: object names from JobIds
 * ({@code JobNames}) and label values ({@code Labels}).
 */
package io.albjobs.operator.write;

/**
 * Step 4, what Kubernetes stores: AsyncJob creation ({@code JobMirror}); every status write, the
 * phase label and the read-back into the informer cache ({@code StatusRecorder}, {@code
 * OwnWrites}); Events ({@code EventRecorder}), retention of finished jobs ({@code Retention}), and
 * the naming rules of what is written: object names from JobIds ({@code JobNames}) and label values
 * ({@code Labels}).
 */
package io.albjobs.operator.write;

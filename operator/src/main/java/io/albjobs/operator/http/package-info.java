/** The HTTP endpoints of the pod: {@code /healthz}, {@code /readyz} and {@code /metrics}. */
package io.albjobs.operator.http;

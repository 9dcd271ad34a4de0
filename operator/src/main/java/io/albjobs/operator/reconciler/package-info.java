/**
 * When to act: the two JOSDK reconcilers. {@code AsyncJobWatchReconciler} runs one poll of a watch
 * when it is due and writes the watch; {@code AsyncJobReconciler} hands a user-created AsyncJob to
 * the batching poller and writes what came back. Both are the single writers of their objects;
 * {@code ReconcileErrors} turns what escapes a reconcile into a condition, {@code Transitions}
 * sends the Events and metrics of every written change, {@code InformerWrites} hands the objects
 * written back to JOSDK's caches, and {@code LeanItemStore} keeps the informer caches small.
 */
package io.albjobs.operator.reconciler;

/**
 * The operator's flags and environment ({@code OperatorConfig}, with the help text the README
 * documents) and the duration syntax shared by flags and the API ({@code Durations}).
 */
package io.albjobs.operator.config;

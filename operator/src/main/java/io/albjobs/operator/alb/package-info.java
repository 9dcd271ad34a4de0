/**
 * The cloud call: {@code ListAsynJobs} through aliyun-java-sdk-core's signed RPC client ({@code
 * SdkAlbJobClient}, one page per call), paging and ID chunking ({@code JobLister}), response
 * parsing, error classification ({@code ErrorKind}), credentials (static keys, STS, RRSA) and the
 * redaction that keeps secrets out of every message.
 */
package io.albjobs.operator.alb;

package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Which ALB resources to mirror: the operator polls {@code ListAsynJobs} for them and keeps one
 * {@link AsyncJob} per job it sees, rolled up into this object's status.
 */
@JsonClassDescription(
    "Which ALB resources to mirror. The operator polls ListAsynJobs for the watched "
        + "resources, keeps one AsyncJob per job it sees (owned by the watch) and rolls "
        + "them up into this object's status. Short name ajw.")
@Group(AsyncJob.GROUP)
@Version(AsyncJob.VERSION)
@Kind("AsyncJobWatch")
@Plural("asyncjobwatches")
@Singular("asyncjobwatch")
@ShortNames("ajw")
@Categories("alb")
@AdditionalPrinterColumn(name = "Region", jsonPath = ".spec.regionId", type = Type.STRING)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.resourceType", type = Type.STRING)
@AdditionalPrinterColumn(
    name = "Resources",
    jsonPath = ".status.resourceCount",
    type = Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Processing",
    jsonPath = ".status.jobs.processing",
    type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Failed", jsonPath = ".status.jobs.failed", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Last Sync", jsonPath = ".status.lastSyncTime", type = Type.DATE)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class AsyncJobWatch extends CustomResource<AsyncJobWatchSpec, AsyncJobWatchStatus>
    implements Namespaced {}

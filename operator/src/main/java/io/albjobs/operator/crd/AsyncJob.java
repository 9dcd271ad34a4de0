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
 * One ALB asynchronous job, mirrored from {@code ListAsynJobs}. Created by the operator for each
 * job an {@link AsyncJobWatch} sees, or by a user or pipeline that knows a JobId and wants to wait
 * on it.
 */
@JsonClassDescription(
    "One Alibaba Cloud ALB asynchronous job, mirrored from ListAsynJobs. The operator "
        + "creates one for each job an AsyncJobWatch sees; you can also create one for a "
        + "JobId an ALB call returned and wait on it (kubectl wait "
        + "--for=condition=Finished). Short name ajob.")
@Group(AsyncJob.GROUP)
@Version(AsyncJob.VERSION)
@Kind("AsyncJob")
@Plural("asyncjobs")
@Singular("asyncjob")
@ShortNames("ajob")
@Categories("alb")
@AdditionalPrinterColumn(name = "Job ID", jsonPath = ".spec.jobId", type = Type.STRING)
@AdditionalPrinterColumn(name = "API", jsonPath = ".status.apiName", type = Type.STRING)
@AdditionalPrinterColumn(
    name = "Resource Type",
    jsonPath = ".status.resourceType",
    type = Type.STRING)
@AdditionalPrinterColumn(name = "Resource", jsonPath = ".status.resourceId", type = Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Error", jsonPath = ".status.errorCode", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(
    name = "Operate",
    jsonPath = ".status.operateType",
    type = Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Created",
    jsonPath = ".status.createTime",
    type = Type.DATE,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Finished",
    jsonPath = ".status.completionTime",
    type = Type.DATE,
    priority = 1)
public class AsyncJob extends CustomResource<AsyncJobSpec, AsyncJobStatus> implements Namespaced {
  public static final String GROUP = "albjobs.io";
  public static final String VERSION = "v1alpha1";
}

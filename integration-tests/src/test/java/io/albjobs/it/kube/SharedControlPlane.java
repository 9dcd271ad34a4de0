package io.albjobs.it.kube;

/**
 * One control plane per test JVM, started on first use and stopped when the JVM exits: suites share
 * it and isolate themselves by namespace.
 */
public final class SharedControlPlane {
  private static ControlPlane instance;

  private SharedControlPlane() {}

  public static synchronized ControlPlane get() {
    if (instance == null) {
      instance = ControlPlane.start();
      System.out.println(
          "Control plane "
              + instance.binaries().version()
              + " ready at "
              + instance.server()
              + " in "
              + instance.startupTime().toMillis()
              + " ms");
      ControlPlane started = instance;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "control-plane-stop"));
    }
    return instance;
  }
}

package io.offloadcl.runtime.opencl;

import java.util.List;
import org.jocl.CL;
import org.jocl.cl_event;

/** A command's completion event; launches wait on these instead of draining the queue. */
public final class ClEvent implements AutoCloseable {
  final cl_event event;
  private boolean released;

  ClEvent(cl_event event) {
    this.event = event;
    ClResources.created(ClResources.Kind.EVENT);
  }

  static cl_event[] array(List<ClEvent> events) {
    if (events == null || events.isEmpty()) {
      return null;
    }
    cl_event[] a = new cl_event[events.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = events.get(i).event;
    }
    return a;
  }

  /** Blocks until every event completed; the one host sync of a run. */
  public static void waitAll(List<ClEvent> events) {
    cl_event[] a = array(events);
    if (a != null) {
      Cl.check(CL.clWaitForEvents(a.length, a), "clWaitForEvents");
    }
  }

  @Override
  public synchronized void close() {
    if (!released) {
      released = true;
      CL.clReleaseEvent(event);
      ClResources.released(ClResources.Kind.EVENT);
    }
  }
}

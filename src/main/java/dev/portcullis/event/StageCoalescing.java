package dev.portcullis.event;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the audit stages of one Kubernetes request that arrive together (an {@code EventList} from
 * the webhook backend usually holds both {@code RequestReceived} and {@code ResponseComplete}) into
 * one change: the most complete stage wins, at the place of the first. Other events, and events of
 * other sources sharing an id, are kept as they are and in order.
 */
public final class StageCoalescing {

  private StageCoalescing() {}

  public static List<ChangeEvent> coalesce(List<ChangeEvent> events) {
    if (events.size() < 2) {
      return events;
    }
    Map<String, Integer> slotById = new LinkedHashMap<>();
    List<ChangeEvent> out = new ArrayList<>(events.size());
    for (ChangeEvent e : events) {
      if (!ChangeEvent.K8S_AUDIT.equals(e.getSource())) {
        out.add(e);
        continue;
      }
      Integer slot = slotById.get(e.getId());
      if (slot == null) {
        slotById.put(e.getId(), out.size());
        out.add(e);
      } else if (KubernetesAuditParser.stageRank(e.getOutcome().getStage())
          > KubernetesAuditParser.stageRank(out.get(slot).getOutcome().getStage())) {
        out.set(slot, e);
      }
    }
    return out;
  }
}

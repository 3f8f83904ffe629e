package dev.portcullis.stream;

import dev.portcullis.enforce.revert.RevertMemoryCodec;
import dev.portcullis.enrich.StateCodec;
import dev.portcullis.enrich.StateCodecs;
import java.util.ArrayList;
import java.util.List;

/**
 * Every kind of state the stream keeps: the fact providers' ({@link StateCodecs}) and the reverts'.
 */
final class StreamStateCodecs {

  private StreamStateCodecs() {}

  static List<StateCodec<?>> all() {
    List<StateCodec<?>> out = new ArrayList<>(StateCodecs.standard());
    out.add(new RevertMemoryCodec());
    return List.copyOf(out);
  }
}

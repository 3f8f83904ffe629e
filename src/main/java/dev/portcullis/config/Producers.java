package dev.portcullis.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.EventDecoder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Beans built from plain classes that know nothing of CDI. */
@ApplicationScoped
public class Producers {

  /** The one decoder of raw input, shared by the stream and the API. */
  @Produces
  @ApplicationScoped
  EventDecoder eventDecoder(ObjectMapper mapper, PortcullisConfig config) {
    return new EventDecoder(mapper, config.ingest().maxBytes(), config.ingest().requireFields());
  }
}

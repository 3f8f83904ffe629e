package dev.portcullis.ingest;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same stream tests against the packaged jar. */
@QuarkusIntegrationTest
class ChangeEventPipelineIT extends ChangeEventPipelineTest {}

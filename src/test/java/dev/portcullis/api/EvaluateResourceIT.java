package dev.portcullis.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same dry-run API tests against the packaged jar. */
@QuarkusIntegrationTest
class EvaluateResourceIT extends EvaluateResourceTest {}

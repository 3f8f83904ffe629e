package dev.portcullis.policy;

/**
 * The outcome of one policy test case.
 *
 * @param testCase the case
 * @param passed true when every checked event drew exactly the expected decisions
 * @param failure what went wrong: expected vs actual, per event (null when passed)
 */
public record CaseResult(PolicyTestCase testCase, boolean passed, String failure) {}

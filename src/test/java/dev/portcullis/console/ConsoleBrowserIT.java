package dev.portcullis.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.PackagedApp;
import dev.portcullis.testing.SystemTools;
import dev.portcullis.testing.TempDirs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}), against the packaged service on its embedded broker with an API token set, as
 * an on-call engineer and a policy author use it: the token gate, a decision produced with kcat
 * arriving on the live page, the playground judging the outage's lifecycle rule, and an alert
 * resolved from the alerts page.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

  static final String TOKEN = "console-" + UUID.randomUUID();
  static final Duration WAIT = Duration.ofSeconds(20);
  static final ObjectMapper JSON = new ObjectMapper();

  static PackagedApp app;
  static WebDriver browser;
  static WebDriverWait wait;
  static String kcat;
  static int kafkaPort;

  @BeforeAll
  static void start() throws Exception {
    kcat = SystemTools.require("kcat", "kcat");
    String chromium = SystemTools.require("chromium", "chromium");
    String chromedriver = SystemTools.require("chromedriver", "chromium-driver");
    kafkaPort = PackagedApp.freePort();
    app =
        PackagedApp.start(
            "console-browser",
            Map.of(
                "PORTCULLIS_API_TOKEN",
                TOKEN,
                "PORTCULLIS_EMBEDDED_KAFKA_PORT",
                String.valueOf(kafkaPort),
                "PORTCULLIS_EMBEDDED_KAFKA_DATA_DIR",
                TempDirs.create("console-kafka").toString(),
                "KAFKA_STREAMS_STATE_DIR",
                TempDirs.create("console-streams").toString()),
            Duration.ofSeconds(90));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    // Debian's chromium as root, on a machine without a display or outside network.
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
        "--user-data-dir=" + TempDirs.create("console-chromium"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of(chromedriver).toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().scriptTimeout(WAIT);
    wait = new WebDriverWait(browser, WAIT);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (app != null) {
      app.close();
    }
  }

  @Test
  @Order(1)
  void theTokenGateHolds() throws Exception {
    browser.get(app.url("/"));
    // The page's first API call is refused, so it sends the browser to the login page.
    wait.until(ExpectedConditions.urlContains("/login.html"));
    assertThat(get("/v1/decisions", null).statusCode()).isEqualTo(401);

    login("not-the-token");
    wait.until(ExpectedConditions.urlContains("/login.html?failed"));
    assertThat(browser.findElement(By.id("failed")).isDisplayed()).isTrue();
    assertThat(browser.manage().getCookieNamed("portcullis_session")).isNull();

    login(TOKEN);
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("decision-filters")));
    Cookie session = browser.manage().getCookieNamed("portcullis_session");
    assertThat(session).isNotNull();
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Strict");
    assertThat(script("return document.cookie")).asString().doesNotContain("portcullis_session");
    assertThat(browser.getPageSource()).doesNotContain(TOKEN);

    // With the cookie, a change without the session's CSRF token is refused; reading is not.
    assertThat(fetchStatus("/v1/alerts", "GET", false)).isEqualTo(200L);
    assertThat(fetchStatus("/v1/policies/reload", "POST", false)).isEqualTo(403L);
    assertThat(fetchStatus("/v1/policies/reload", "POST", true)).isEqualTo(200L);
  }

  @Test
  @Order(2)
  void aDecisionProducedWithKcatArrivesOnTheLivePage() throws Exception {
    browser.get(app.url("/#/decisions"));
    wait.until(ExpectedConditions.textToBe(By.id("stream-status"), "live"));
    String eventId = UUID.randomUUID().toString();
    ObjectNode event =
        (ObjectNode) JSON.readTree(Path.of("docs/examples/stop-logging.json").toFile());
    event.put("eventID", eventId);
    produce("portcullis.cloudtrail", JSON.writeValueAsString(event));

    By row = By.cssSelector("#decisions tr[data-id='" + eventId + "']");
    WebElement found = wait.until(ExpectedConditions.visibilityOfElementLocated(row));
    screenshot("decisions");
    assertThat(found.getText()).contains("cloudtrail-stopped", "alert", "StopLogging");

    found.findElement(By.linkText("details")).click();
    WebElement shown =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("event-json")));
    JsonNode back = JSON.readTree(shown.getText());
    assertThat(back.path("eventID").asText()).isEqualTo(eventId);
    assertThat(
            browser.findElement(By.cssSelector("tr[data-policy='cloudtrail-stopped']")).getText())
        .contains("high");
    screenshot("decision");
  }

  @Test
  @Order(3)
  void thePlaygroundJudgesTheOutagesLifecycleRule() throws Exception {
    browser.get(app.url("/#/playground"));
    wait.until(
            ExpectedConditions.elementToBeClickable(
                By.xpath("//button[contains(., 'etcd outage')]")))
        .click();
    wait.until(
        d ->
            d.findElement(By.id("playground-input"))
                .getDomProperty("value")
                .contains("LifecycleConfiguration"));
    browser.findElement(By.id("playground-evaluate")).click();
    WebElement finding =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#playground-result tr[data-policy='etcd-control-files']")));
    assertThat(finding.getText()).contains("expire-old-backups", "backups/");

    browser.findElement(By.id("save-case")).click();
    String yaml =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("case-yaml-text")))
            .getText();
    assertThat(yaml).contains("event:", "PutBucketLifecycle", "expect:", "action: alert");
    screenshot("playground");
  }

  @Test
  @Order(4)
  void anAlertIsResolvedFromTheAlertsPage() throws Exception {
    String eventId = UUID.randomUUID().toString();
    ObjectNode event =
        (ObjectNode) JSON.readTree(Path.of("docs/examples/etcd-backups-lifecycle.json").toFile());
    event.put("eventID", eventId);
    String bucket = "etcd-backups-" + eventId.substring(0, 8);
    ((ObjectNode) event.path("requestParameters")).put("bucketName", bucket);
    produce("portcullis.cloudtrail", JSON.writeValueAsString(event));

    browser.get(app.url("/#/alerts"));
    By alertRow = By.xpath("//div[@id='alerts']//tr[td[contains(., 's3://" + bucket + "')]]");
    WebElement row =
        new WebDriverWait(browser, Duration.ofSeconds(40))
            .pollingEvery(Duration.ofMillis(500))
            .until(
                d -> {
                  List<WebElement> rows = d.findElements(alertRow);
                  if (rows.isEmpty()) {
                    d.navigate().refresh();
                    return null;
                  }
                  return rows.get(0);
                });
    screenshot("alerts");
    String dedupKey = row.getAttribute("data-dedup-key");
    row.findElement(By.cssSelector("button.resolve")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button.confirm-resolve")))
        .click();
    await().atMost(WAIT).until(() -> !get("/v1/alerts", TOKEN).body().contains(dedupKey));
    wait.until(ExpectedConditions.invisibilityOfElementLocated(alertRow));
    JsonNode all = JSON.readTree(get("/v1/alerts?all=true", TOKEN).body());
    JsonNode resolved = null;
    for (JsonNode a : all) {
      if (dedupKey.equals(a.path("dedupKey").asText())) {
        resolved = a;
      }
    }
    assertThat(resolved).isNotNull();
    assertThat(resolved.path("status").asText()).isEqualTo("resolved");
    assertThat(resolved.path("resolveReason").asText()).isEqualTo("resolved in the console");
  }

  /** Keeps what the browser showed in target/ for whoever reads a failure. */
  private static void screenshot(String name) throws Exception {
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(Path.of("target", "console-" + name + ".png"), png);
  }

  private static void login(String token) {
    browser.get(app.url("/login.html"));
    WebElement field = wait.until(ExpectedConditions.elementToBeClickable(By.id("token")));
    field.clear();
    field.sendKeys(token);
    browser.findElement(By.cssSelector("form button[type=submit]")).click();
  }

  private static Object script(String js) {
    return ((JavascriptExecutor) browser).executeScript(js);
  }

  /** A fetch from the console's own page, with or without the CSRF token it got at start. */
  private static Object fetchStatus(String path, String method, boolean withCsrf) {
    return ((JavascriptExecutor) browser)
        .executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + "const csrf = arguments[2]"
                + "  ? fetch('/v1/console/session').then(r => r.json()).then(s => s.csrf)"
                + "  : Promise.resolve(null);"
                + "csrf.then(t => fetch(arguments[0], {method: arguments[1],"
                + "  headers: t ? {'X-Portcullis-CSRF': t} : {}}))"
                + "  .then(r => done(r.status), e => done(String(e)));",
            path,
            method,
            withCsrf);
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.url(path)));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void produce(String topic, String record) throws Exception {
    Process p =
        new ProcessBuilder(kcat, "-P", "-b", "127.0.0.1:" + kafkaPort, "-t", topic)
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().write(record.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    p.getOutputStream().close();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
  }
}

package dev.portcullis.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TempDirsTest {

  @Test
  void deletesAFolderWithWhatIsInIt() throws Exception {
    Path dir = TempDirs.create("temp-dirs-test");
    Path nested = Files.createDirectories(dir.resolve("broker/partition-0"));
    Files.writeString(nested.resolve("00000000000000000000.log"), "records");
    Files.writeString(dir.resolve("meta.properties"), "node.id=1");
    assertTrue(Files.isDirectory(dir));

    TempDirs.deleteRecursively(dir);

    assertFalse(Files.exists(dir));
    // Already gone (as at exit, for a folder a test deleted itself): nothing to do, no error.
    assertDoesNotThrow(() -> TempDirs.deleteRecursively(dir));
  }
}

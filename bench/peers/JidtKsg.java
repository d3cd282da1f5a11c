/* JidtKsg.java - the JIDT peer of bench/workloads/ksg_*.ixp: KSG-1 mutual
 * information with JIDT's MutualInfoCalculatorMultiVariateKraskov1 (k
 * neighbours, max-norm, columns normalised to unit variance, no noise
 * added so that it reads the data as given), of the first half of a
 * float64 .npy file's columns against the second half, in nats.
 *
 * usage: java -cp infodynamics.jar:commons-math3.jar:DIR JidtKsg FILE.npy K [RUN FULL]
 * With RUN and FULL, also computeSignificance(RUN) (permutation
 * surrogates), timed; the time of the FULL - RUN not run is printed as
 * extra_seconds. JIDT's default thread count (all cores). */
import infodynamics.measures.continuous.kraskov.MutualInfoCalculatorMultiVariateKraskov1;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

public class JidtKsg {
  /* A C-order little-endian float64 .npy file (version 1) as rows. */
  static double[][] readNpy(String path) throws IOException {
    try (DataInputStream in = new DataInputStream(new FileInputStream(path))) {
      byte[] magic = new byte[8];
      in.readFully(magic);
      int hlen = (in.readUnsignedByte()) | (in.readUnsignedByte() << 8);
      byte[] header = new byte[hlen];
      in.readFully(header);
      String h = new String(header, StandardCharsets.US_ASCII);
      if (!h.contains("'<f8'") || !h.contains("False")) throw new IOException(path + ": not C-order float64");
      String[] shape = h.substring(h.indexOf('(') + 1, h.indexOf(')')).split(",");
      int rows = Integer.parseInt(shape[0].trim()), cols = Integer.parseInt(shape[1].trim());
      byte[] raw = new byte[rows * cols * 8];
      in.readFully(raw);
      ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      double[][] a = new double[rows][cols];
      for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) a[r][c] = b.getDouble();
      return a;
    }
  }

  static double[][] columns(double[][] a, int from, int to) {
    double[][] out = new double[a.length][to - from];
    for (int r = 0; r < a.length; r++) System.arraycopy(a[r], from, out[r], 0, to - from);
    return out;
  }

  public static void main(String[] args) throws Exception {
    double[][] a = readNpy(args[0]);
    int half = a[0].length / 2;
    MutualInfoCalculatorMultiVariateKraskov1 calc = new MutualInfoCalculatorMultiVariateKraskov1();
    calc.setProperty("k", args[1]);
    calc.setProperty("NOISE_LEVEL_TO_ADD", "0");
    calc.initialise(half, a[0].length - half);
    calc.setObservations(columns(a, 0, half), columns(a, half, a[0].length));
    System.out.printf("value = %.17g%n", calc.computeAverageLocalOfObservations());
    if (args.length > 3) {
      int run = Integer.parseInt(args[2]), full = Integer.parseInt(args[3]);
      long t = System.nanoTime();
      calc.computeSignificance(run);
      double each = (System.nanoTime() - t) * 1e-9 / run;
      System.out.printf("extra_seconds = %.6g%n", each * (full - run));
      System.out.printf("note = JIDT: %d of %d surrogates run, %.3f s each, the rest scaled%n", run, full, each);
    }
  }
}

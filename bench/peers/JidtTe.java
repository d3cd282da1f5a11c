/* JidtTe.java - the JIDT peer of bench/bench_te.c: transfer entropy y -> x
 * with JIDT's TransferEntropyCalculatorKraskov (KSG algorithm 1, k
 * neighbours, histories k = l = 1, delay 1, each embedded column
 * normalised to unit variance, no noise added so that it reads the data
 * as given), in nats.
 *
 * usage: java -cp infodynamics.jar:commons-math3.jar:DIR JidtTe FILE K THREADS REPS
 * FILE: raw little-endian float64 pairs (x_t, y_t), one per time step.
 * THREADS: JIDT's NUM_THREADS (0: all cores, JIDT's default). One warm-up
 * estimate, then REPS timed ones (initialise, setObservations, compute);
 * prints the value and the median seconds. */
import infodynamics.measures.continuous.kraskov.TransferEntropyCalculatorKraskov;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;

public class JidtTe {
  public static void main(String[] args) throws Exception {
    byte[] raw = Files.readAllBytes(Paths.get(args[0]));
    int n = raw.length / 16;
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    double[] x = new double[n], y = new double[n];
    for (int t = 0; t < n; t++) {
      x[t] = b.getDouble();
      y[t] = b.getDouble();
    }
    int threads = Integer.parseInt(args[2]), reps = Integer.parseInt(args[3]);
    double value = 0;
    double[] secs = new double[reps];
    for (int r = -1; r < reps; r++) {
      long t0 = System.nanoTime();
      TransferEntropyCalculatorKraskov calc = new TransferEntropyCalculatorKraskov();
      calc.setProperty("k", args[1]);
      calc.setProperty("NOISE_LEVEL_TO_ADD", "0");
      calc.setProperty("NORMALISE", "true");
      if (threads > 0) calc.setProperty("NUM_THREADS", Integer.toString(threads));
      calc.initialise(1, 1, 1, 1, 1);
      calc.setObservations(y, x);
      value = calc.computeAverageLocalOfObservations();
      if (r >= 0) secs[r] = (System.nanoTime() - t0) * 1e-9;
    }
    Arrays.sort(secs);
    System.out.printf("value = %.17g%n", value);
    System.out.printf("seconds = %.6g%n", secs[reps / 2]);
  }
}

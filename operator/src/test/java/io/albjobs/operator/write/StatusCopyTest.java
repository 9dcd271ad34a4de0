package io.albjobs.operator.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.fail;

import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.status.JobStatuses;
import io.albjobs.operator.status.Statuses;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Every field of both status kinds survives the copy the status code works on, and counts in the
 * comparison that decides whether a status is written: a field added to a status class without
 * either would be silently dropped, or a change of it alone never written. The fields are found by
 * reflection, so a new one is covered without touching this test (a field of a type it cannot fill
 * makes it fail, saying so).
 */
class StatusCopyTest {
  @Test
  void anAsyncJobStatusIsCopiedWholeAndComparedWhole() throws Exception {
    checkCopyAndEquality(AsyncJobStatus.class, JobStatuses::copyOf);
    checkCopyAndEquality(AsyncJobStatus.class, Statuses::copy);
  }

  @Test
  void aWatchStatusIsCopiedWholeAndComparedWhole() throws Exception {
    checkCopyAndEquality(AsyncJobWatchStatus.class, Statuses::copy);
  }

  @Test
  void onlyTheHeartbeatFieldsAreIgnoredWhenDecidingToWrite() throws Exception {
    for (Field f : fields(AsyncJobStatus.class)) {
      AsyncJobStatus a = filled(AsyncJobStatus.class, 1);
      AsyncJobStatus b = JobStatuses.copyOf(a);
      f.set(b, value(f.getGenericType(), 2, f.getName()));
      boolean heartbeat = f.getName().equals("lastSyncTime");
      assertEquals(
          heartbeat, StatusRecorder.sameIgnoringHeartbeat(a, b), "AsyncJobStatus." + f.getName());
    }
    for (Field f : fields(AsyncJobWatchStatus.class)) {
      AsyncJobWatchStatus a = filled(AsyncJobWatchStatus.class, 1);
      AsyncJobWatchStatus b = Statuses.copy(a);
      f.set(b, value(f.getGenericType(), 2, f.getName()));
      boolean heartbeat =
          List.of("lastSyncTime", "lastSuccessfulSyncTime", "watermark").contains(f.getName());
      assertEquals(
          heartbeat,
          StatusRecorder.sameIgnoringHeartbeat(a, b),
          "AsyncJobWatchStatus." + f.getName());
    }
  }

  private static <S> void checkCopyAndEquality(Class<S> type, UnaryOperator<S> copier)
      throws Exception {
    S original = filled(type, 1);
    S copy = copier.apply(original);
    assertNotSame(original, copy);
    for (Field f : fields(type)) {
      assertEquals(
          f.get(original),
          f.get(copy),
          type.getSimpleName() + "." + f.getName() + " is dropped by the copy");
      S changed = copier.apply(original);
      f.set(changed, value(f.getGenericType(), 2, f.getName()));
      assertNotEquals(
          original,
          changed,
          type.getSimpleName()
              + "."
              + f.getName()
              + " is ignored by equals: a change of it alone would never be written");
    }
    assertEquals(original, copy);
  }

  private static List<Field> fields(Class<?> type) {
    List<Field> out = new ArrayList<>();
    for (Field f : type.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        f.setAccessible(true);
        out.add(f);
      }
    }
    return out;
  }

  /** An object of {@code type} with every field set to a value derived from {@code seed}. */
  private static <T> T filled(Class<T> type, int seed) throws Exception {
    T object = type.getDeclaredConstructor().newInstance();
    for (Field f : fields(type)) {
      f.set(object, value(f.getGenericType(), seed, f.getName()));
    }
    return object;
  }

  private static Object value(Type type, int seed, String name) throws Exception {
    if (type == String.class) {
      return name + "-" + seed;
    }
    if (type == Long.class || type == long.class) {
      return 10L + seed;
    }
    if (type == Integer.class || type == int.class) {
      return 10 + seed;
    }
    if (type == Boolean.class || type == boolean.class) {
      return seed % 2 == 0;
    }
    if (type instanceof Class<?> c && c.isEnum()) {
      Object[] constants = c.getEnumConstants();
      return constants[seed % constants.length];
    }
    if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
      List<Object> list = new ArrayList<>();
      list.add(value(p.getActualTypeArguments()[0], seed, name));
      return list;
    }
    if (type instanceof ParameterizedType p && p.getRawType() == Map.class) {
      return new HashMap<>(
          Map.of(name + "-key", name + "-" + seed)); // e.g. a Condition's additionalProperties
    }
    if (type instanceof Class<?> c && c.getName().startsWith("io.")) {
      return filled(c, seed);
    }
    fail(
        "StatusCopyTest cannot fill a field of type "
            + type
            + " ("
            + name
            + "): teach value() how");
    return null;
  }
}

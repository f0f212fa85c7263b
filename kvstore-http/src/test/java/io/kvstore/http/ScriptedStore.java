package io.kvstore.http;

import io.kvstore.ClusterView;
import io.kvstore.KvStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link KvStore} over a real single-node store whose {@code removeMember} and {@code cluster}
 * answers a test scripts, so that the adapter can be shown a multi-member view or a successful
 * removal without starting a cluster. Everything else is the real store's.
 */
final class ScriptedStore implements InvocationHandler {
  private final KvStore real;
  private final KvStore proxy;

  /** The ids {@code removeMember} was called with, in order. */
  final List<String> removeCalls = new CopyOnWriteArrayList<>();

  /** Answers {@code removeMember}; {@code null} delegates to the real store. */
  volatile Function<String, CompletableFuture<Long>> removeMember;

  /** The survivor lists {@code forceRecovery} was called with, in order. */
  final List<List<String>> recoverCalls = new CopyOnWriteArrayList<>();

  /** Answers {@code forceRecovery}; {@code null} delegates to the real store. */
  volatile Function<List<String>, CompletableFuture<Long>> forceRecovery;

  /** Answers {@code cluster()}; {@code null} delegates to the real store. */
  volatile Optional<ClusterView> cluster;

  ScriptedStore(KvStore real) {
    this.real = real;
    this.proxy =
        (KvStore)
            Proxy.newProxyInstance(
                KvStore.class.getClassLoader(), new Class<?>[] {KvStore.class}, this);
  }

  KvStore store() {
    return proxy;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object invoke(Object self, Method method, Object[] args) throws Throwable {
    if (method.getName().equals("removeMember") && args != null && args.length == 1) {
      removeCalls.add((String) args[0]);
      Function<String, CompletableFuture<Long>> answer = removeMember;
      if (answer != null) {
        return answer.apply((String) args[0]);
      }
    } else if (method.getName().equals("forceRecovery") && args != null && args.length == 1) {
      List<String> survivors = List.copyOf((java.util.Collection<String>) args[0]);
      recoverCalls.add(survivors);
      Function<List<String>, CompletableFuture<Long>> answer = forceRecovery;
      if (answer != null) {
        return answer.apply(survivors);
      }
    } else if (method.getName().equals("cluster") && args == null) {
      Optional<ClusterView> view = cluster;
      if (view != null) {
        return view;
      }
    }
    try {
      return method.invoke(real, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
